"""The Gradio page: four tabs and four named API endpoints (/ask, /search,
/feedback, /vote). ``build_app(services)`` returns the Blocks; ``launch()``
starts it with the page-level settings Gradio 6 takes at launch time (theme,
css, head, middleware)."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gradio as gr

from ...present.html import clause_html, outline_html
from ..bootstrap import Services
from . import overview
from .api import ApiHandlers
from .chat import ChatHandlers
from .context import WebContext
from .desk import DESK_COLUMNS, DeskHandlers
from .probes import IndexStatus, index_status, shared_status

TITLE = "伊吾县营商环境政策问答助手"


ASSETS = Path(__file__).resolve().parent / "assets"
CSS = (ASSETS / "page.css").read_text("utf-8")
# The page's own script (citation links, scrolling, plain-text copy, Chinese
# labels for Gradio's own buttons): see assets/page.js.
HEAD = ("<style>\n" + (ASSETS / "phone.css").read_text("utf-8") + "</style>\n"
        "<script>\n" + (ASSETS / "page.js").read_text("utf-8") + "</script>\n")



def theme() -> gr.themes.Base:
    # System fonts only: nothing is fetched from Google Fonts (unreachable
    # from many networks in China, and this machine is offline).
    return gr.themes.Soft(
        primary_hue="blue",
        font=["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
              "WenQuanYi Micro Hei", "system-ui", "sans-serif"],
        font_mono=["Noto Sans Mono CJK SC", "Menlo", "Consolas", "monospace"],
    )


def launch_kwargs(max_request_bytes: int, read_timeout: float = 30.0, status=None, health=None) -> dict:
    """``status``: a callable giving the index's ``probes.IndexStatus`` (for /readyz);
    ``health``: one giving what /healthz reports beside "ok" (the shared stores)."""
    from starlette.middleware import Middleware

    from .bodylimit import BodyLimit
    from .headers import Hardened
    from .probes import IndexStatus, Probes
    from .uploads import RefuseUploads

    # Outermost first: every reply hardened; probes answered before Gradio;
    # file routes refused before the body is even counted; then the body's
    # size and pace.
    middleware = [Middleware(Hardened), Middleware(Probes, status=status or (lambda: IndexStatus("ready")), health=health),
                  Middleware(RefuseUploads),
                  Middleware(BodyLimit, max_bytes=max_request_bytes, read_timeout=read_timeout)]
    return {"theme": theme(), "css": CSS, "head": HEAD, "app_kwargs": {"middleware": middleware}}


def private(name: str) -> dict:
    """A page event that is not part of the public API; its own name, so it
    never takes one of the API's (/ask, /search, …)."""
    return {"api_visibility": "private", "api_name": f"ui_{name}"}


def _chat_tab(chat_h: ChatHandlers, title: str, examples: list[str], concurrency: int):
    """The chat; returns (the restore event's handler, inputs, outputs) for the page load."""
    turns = gr.State([])
    # The conversation survives a reload until 清空对话 (the browser keeps it).
    saved = gr.BrowserState([], storage_key="yiwu-chat-v1")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            chat = gr.Chatbot(
                label="对话", show_label=False, elem_id="chat", height=430, layout="bubble",
                feedback_options=("Like", "Dislike"), sanitize_html=True, allow_tags=False,
                buttons=["copy"], render_markdown=True, autoscroll=False,
                placeholder=f"您好！我可以解答《{title}》的相关问题，"
                            "回答会标注依据的条款，点击条款编号即可查看原文。",
            )
            with gr.Row(elem_id="ask-row"):
                msg = gr.Textbox(placeholder="请输入您的问题，按回车发送", show_label=False, scale=5,
                                 elem_id="question", max_lines=4, autofocus=True, min_width=160)
                send = gr.Button("发送", variant="primary", scale=1, min_width=64, elem_id="send")
            with gr.Row(elem_id="examples"):
                ex_buttons = [gr.Button(q, size="sm", variant="secondary", min_width=60, elem_classes=["example"])
                              for q in examples]
                clear = gr.Button("清空对话", size="sm", variant="stop", elem_id="clear", min_width=80)
            gr.Markdown("点上方示例可直接提问；对回答点 👍/👎 可帮助我们改进。本助手仅依据政策原文作答，"
                        "具体办理请以责任单位答复为准。", elem_classes=["muted"], elem_id="chat-hint")
        with gr.Column(scale=2, min_width=280):
            chips = gr.Radio(choices=[], label="本条回答引用的条款（点击查看原文）", elem_id="cite-chips",
                             interactive=True)
            panel = gr.HTML(clause_html(None), elem_id="clause-panel")

    ask_io = dict(inputs=[msg, turns, chips], outputs=[msg, chat, turns, chips, saved],
                  concurrency_limit=concurrency, concurrency_id="answer", trigger_mode="once", **private("chat"))
    msg.submit(chat_h.respond, **ask_io)
    send.click(chat_h.respond, **ask_io)
    for b in ex_buttons:
        b.click(lambda q=b.value: q, None, msg, queue=False, **private("example")).then(chat_h.respond, **ask_io)
    chips.change(chat_h.show_clause, chips, panel, queue=False, **private("clause"))
    chat.like(chat_h.like, turns, None, queue=False, **private("like"))
    cleared = [msg, chat, turns, chips, panel, saved]
    clear.click(chat_h.clear, None, cleared, queue=False, **private("clear"))
    chat.clear(chat_h.clear, None, cleared, queue=False, **private("clear"))
    return chat_h.restore, [saved], [chat, turns, chips]


def _desk_tab(desk: DeskHandlers, concurrency: int) -> None:
    lib = desk.library
    refs = gr.State({})
    with gr.Row():
        query = gr.Textbox(label="关键词、条款编号或完成时限",
                           placeholder="例如：简易注销、第5.3条、人社局 2024年底前；留空则按筛选条件列出",
                           scale=4, elem_id="desk-query", min_width=200)
        with gr.Column(scale=1, min_width=170):
            with gr.Row(elem_id="desk-buttons"):
                go = gr.Button("查询", variant="primary", min_width=80, elem_id="desk-go")
                reset = gr.Button("重置", min_width=80, elem_id="desk-reset")
    with gr.Row():
        units = gr.Dropdown(desk.unit_choices(), multiselect=True, label="责任单位", scale=3, elem_id="desk-units",
                            info="可多选，可输入简称（人社局、市监局…）")
        months = desk.month_choices()
        after = gr.Dropdown(months, value="不限", label="完成时限起", scale=1, elem_id="desk-after", min_width=120)
        before = gr.Dropdown(months, value="不限", label="完成时限止", scale=1, elem_id="desk-before", min_width=120)
        section = gr.Dropdown(desk.section_choices(), value="all", label="所属部分", scale=2, elem_id="desk-section")
        doc = gr.Dropdown(desk.doc_choices(), value="all", label="文档", scale=2, elem_id="desk-doc",
                          visible=len(lib.corpora) > 1)
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            status = gr.Markdown("请输入关键词，或选择责任单位、完成时限、所属部分等筛选条件。", elem_id="desk-status")
            similar = gr.Button("显示相似条款", size="sm", visible=False, elem_id="desk-similar")
            table = gr.Dataframe(headers=DESK_COLUMNS, interactive=False, wrap=True, max_height=520,
                                 elem_id="desk-table", column_widths=["11%", "17%", "32%", "20%", "11%", "9%"])
            csv = gr.HTML("", elem_id="desk-csv")
            combined = gr.Textbox(label="合并答复（本次列出的全部措施，可直接朗读或复制）", lines=6, max_lines=14,
                                  interactive=False, buttons=["copy"], visible=False, elem_id="desk-combined")
        with gr.Column(scale=2, min_width=280, elem_id="desk-side"):
            # The reply first: staff read it out while the clause is beside it.
            reply = gr.Textbox(label="标准答复（可直接朗读或复制）", lines=5, max_lines=9, interactive=False,
                               buttons=["copy"], elem_id="desk-reply")
            clause = gr.HTML(clause_html(None, "请点击表格中的一行。"), elem_id="desk-clause")
    inputs = [query, units, after, before, section, doc]
    outputs = [table, status, refs, combined, csv, similar]
    io = dict(inputs=inputs, outputs=outputs, concurrency_limit=concurrency,
              concurrency_id="search", **private("desk"))
    go.click(desk.search, **io)
    query.submit(desk.search, **io)
    for f in (units, after, before, section, doc):
        f.input(desk.search, **io)
    similar.click(desk.similar, inputs=inputs, outputs=outputs, concurrency_limit=concurrency,
                  concurrency_id="search", **private("desk_similar"))
    table.select(desk.select, refs, [clause, reply], queue=False, **private("row"))
    reset.click(desk.reset, None, inputs + [table, status, refs, clause, reply, combined, csv, similar],
                queue=False, **private("reset"))


def _browse_tab(library) -> None:
    gr.Markdown("按“部分 → 措施 → 子项”浏览方案全文，点击标题展开；⚠️ 标出解析时发现的原文问题。")
    gr.HTML(outline_html(library), elem_id="outline")


def _overview_tab(library) -> None:
    gr.Markdown(overview.overview_markdown(library), elem_id="overview-summary")
    units = overview.units_frame(library)
    with gr.Row():
        with gr.Column(min_width=280):
            gr.HTML(overview.bars_html(units, "责任单位", "措施数", "各责任单位承担的措施数", top=15,
                                       elem="plot-units"))
        with gr.Column(min_width=280):
            gr.HTML(overview.bars_html(overview.quarters_frame(library), "季度", "到期措施数",
                                       "完成时限分布（按季度）", elem="plot-quarters"))
    deadlines = overview.deadlines_frame(library)
    with gr.Accordion("按月查看完成时限（图表）", open=False):
        gr.BarPlot(deadlines, x="月份", y="到期措施数", title="完成时限分布（按月）",
                   x_label_angle=-60, height=340, elem_id="plot-deadlines", sort="x")
    with gr.Accordion("全部责任单位明细", open=False):
        gr.Dataframe(units, interactive=False, max_height=400)


def status_banner(st: IndexStatus):
    """The banner over the tabs while the index is not ready, and whether
    the page keeps polling (every 2 s) for it."""
    if st.state == "building":
        pct = f"{100 * st.done // st.total}%" if st.total else ""
        text = (f"⏳ 检索索引正在建立（{pct}，{st.done}/{st.total}）。现在提问也会回答，但只依据条款编号和关键词检索，"
                "建立完成后自动恢复完整检索。")
        return gr.Markdown(text, visible=True), gr.Timer(active=True)
    if st.state == "unavailable":
        return (gr.Markdown("⚠️ 向量检索暂时不可用，回答只依据条款编号和关键词检索，可能不如平时准确。", visible=True),
                gr.Timer(active=True))
    return gr.Markdown("", visible=False), gr.Timer(active=False)


def build_app(services: Services) -> gr.Blocks:
    ctx = WebContext(services)
    chat_h, desk = ChatHandlers(ctx), DeskHandlers(ctx)
    api = ApiHandlers(ctx, desk)
    concurrency = services.settings.ui_concurrency  # answers are CPU-bound
    library = services.library
    title = library.default.title
    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        more = "及收录的国家法规" if len(library.corpora) > 1 else ""
        gr.Markdown(f"# {TITLE}\n依据《{title}》{more}原文回答，每个回答都注明条款出处。", elem_id="app-title")
        banner = gr.Markdown("", visible=False, elem_id="index-status", elem_classes=["flag"])
        timer = gr.Timer(2.0, active=False)
        with gr.Tabs():
            with gr.Tab("智能问答", id="chat"):
                restore, restore_in, restore_out = _chat_tab(chat_h, title, library.examples[:6], concurrency)
            with gr.Tab("政策查询台", id="desk"):
                _desk_tab(desk, concurrency)
            with gr.Tab("政策全文", id="browse"):
                _browse_tab(library)
            with gr.Tab("概览", id="overview"):
                _overview_tab(library)
        gr.api(api.ask, api_name="ask", concurrency_limit=concurrency, concurrency_id="answer")
        gr.api(api.search, api_name="search", concurrency_limit=concurrency, concurrency_id="search")
        gr.api(api.feedback, api_name="feedback", concurrency_limit=8)
        gr.api(api.vote, api_name="vote", concurrency_limit=8)
        demo.load(restore, restore_in, restore_out, queue=False, **private("restore"))
        status_io = dict(inputs=None, outputs=[banner, timer], queue=False, show_progress="hidden")
        demo.load(lambda: status_banner(index_status(services)), **status_io, **private("status"))
        timer.tick(lambda: status_banner(index_status(services)), **status_io, **private("status_tick"))
    demo.queue(default_concurrency_limit=concurrency, max_size=services.settings.queue_max_size)
    return demo


def launch(services: Services, demo: gr.Blocks | None = None, host: str | None = None,
           port: int | None = None, quiet: bool = True, before_bind: Callable[[], None] | None = None) -> tuple[gr.Blocks, str]:
    """Start the app without blocking; returns (demo, local URL).
    Call ``demo.block_thread()`` to serve until interrupted, ``demo.close()`` to stop.
    ``before_bind``: called once the page is built, just before the port is
    taken (the holding page lets go of it)."""
    s = services.settings
    demo = demo or build_app(services)
    if before_bind is not None:
        before_bind()
    demo.launch(server_name=host or s.host, server_port=port if port is not None else s.port,
                prevent_thread_lock=True, quiet=quiet, show_error=False, ssr_mode=False,
                share=False, **launch_kwargs(s.max_request_bytes, s.request_read_timeout,
                                             lambda: index_status(services), lambda: shared_status(services)))
    return demo, demo.local_url
