"""Start the web chat: ``python app.py`` (host/port from YIWU_HOST / YIWU_PORT,
or --host / --port). Prints the address to open."""
from __future__ import annotations

import argparse
import logging
import sys


def main(argv: list[str] | None = None) -> int:
    from chatbot.app.settings import Settings

    s = Settings()
    p = argparse.ArgumentParser(description="伊吾县营商环境政策问答助手（网页版）")
    p.add_argument("--host", default=s.host, help=f"listen address (default {s.host}; YIWU_HOST)")
    p.add_argument("--port", type=int, default=s.port, help=f"port (default {s.port}; YIWU_PORT)")
    p.add_argument("-v", "--verbose", action="store_true", help="info logs")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    print("正在加载政策文本和索引…", file=sys.stderr, flush=True)
    from chatbot.app.starting import StartingPage

    # Up before the heavy imports: the address answers from the first second.
    page = StartingPage(args.host, args.port).start()
    from chatbot.app.bootstrap import bootstrap
    from chatbot.app.web import launch
    from chatbot.corpus.source import CorpusError
    from chatbot.search.store import IndexUnavailable

    try:
        # The index build (if one is needed) starts once the page is served:
        # started earlier it competes with the server's start for the cores.
        services = bootstrap(s, wait_for_index=False, defer_build=True)
        demo, url = launch(services, host=args.host, port=args.port, before_bind=page.stop)
        if services.vectors is not None:
            services.vectors.start_deferred()
    except (CorpusError, IndexUnavailable) as e:
        # e.g. Chroma server mode with the server down, or a broken corpus file
        page.stop()
        print(f"无法启动：{e}", file=sys.stderr, flush=True)
        return 2
    print(f"伊吾县营商环境政策问答助手已启动：{url}", flush=True)
    print(f"API: {url.rstrip('/')}/?view=api  (gradio_client: Client(\"{url}\").predict(\"刻章要钱吗\", api_name=\"/ask\"))",
          flush=True)
    try:
        demo.block_thread()
    except KeyboardInterrupt:
        pass
    finally:
        demo.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
