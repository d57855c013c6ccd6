"""The Gradio page: four tabs and four named API endpoints (/ask, /search,
/feedback, /vote). ``build_app(services)`` returns the Blocks; ``launch()``
starts it with the page-level settings Gradio 6 takes at launch time (theme,
css, head, middleware)."""
from __future__ import annotations

import gradio as gr

from ...present.html import clause_html, outline_html
from ..bootstrap import Services
from . import overview
from .api import ApiHandlers
from .chat import ChatHandlers
from .context import WebContext
from .desk import DESK_COLUMNS, DeskHandlers

TITLE = "伊吾县营商环境政策问答助手"


CSS = """
.gradio-container { max-width: 1280px !important; margin: 0 auto; }
#app-title h1 { margin-bottom: 0; }
#cite-chips .wrap { gap: 6px; }
#cite-chips label { border-radius: 999px !important; padding: 2px 12px !important; cursor: pointer; }
#cite-chips label.selected { background: var(--color-accent) !important; border-color: var(--color-accent) !important; }
#cite-chips label.selected span { color: #fff !important; font-weight: 600; }
.clause-panel { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 12px 14px;
  background: var(--background-fill-secondary); line-height: 1.7; }
.clause-panel.empty { color: var(--body-text-color-subdued); }
.clause-cite { font-size: 1.15em; font-weight: 700; color: var(--color-accent); }
.clause-title { font-weight: 600; margin: 2px 0; }
.clause-doc, .muted { color: var(--body-text-color-subdued); font-size: 0.92em; }
.clause-meta { margin: 8px 0; }
.clause-meta > div { display: flex; gap: 10px; padding: 1px 0; }
.clause-meta .k { flex: 0 0 4.5em; color: var(--body-text-color-subdued); }
.clause-text { white-space: pre-wrap; border-left: 3px solid var(--color-accent); padding-left: 10px; margin-top: 6px; }
.clause-warn, .flag { color: #92400e; background: #fef3c7; border-radius: 6px; padding: 4px 10px; margin: 6px 0; font-size: 0.93em; }
.clause-warn ul { margin: 0; padding-left: 1.2em; }
.outline details { margin: 4px 0; }
.outline summary { cursor: pointer; padding: 4px 2px; }
.outline details.section > summary { font-weight: 700; font-size: 1.05em; }
.outline details.measure { margin-left: 1.2em; }
.outline details.measure > summary { font-weight: 600; }
.outline .leaf { margin: 6px 0 10px 1.4em; padding: 6px 10px; border-left: 3px solid var(--border-color-primary); }
.outline .leaf-text { white-space: pre-wrap; line-height: 1.7; }
.outline .chip { display: inline-block; background: var(--background-fill-secondary); border: 1px solid var(--border-color-primary);
  border-radius: 999px; padding: 0 10px; margin: 4px 6px 0 0; font-size: 0.88em; }
.outline .parse-report { background: #fffbeb; border-radius: 6px; padding: 4px 10px; }
footer { display: none !important; }
"""

# Citation links inside answers ("#cite-5.3") select the matching chip, which
# opens the clause in the side panel. Capture phase: before the link's default.
HEAD = """
<script>
document.addEventListener('click', function (ev) {
  var a = ev.target && ev.target.closest ? ev.target.closest('a[href*="#cite-"]') : null;
  if (!a) return;
  ev.preventDefault(); ev.stopPropagation();
  var href = a.getAttribute('href');
  var ref = decodeURIComponent(href.slice(href.indexOf('#cite-') + 6));
  var box = document.getElementById('cite-chips');
  if (!box) return;
  // on a phone the panel sits below the chat: bring it into view
  setTimeout(function () {
    var p = document.getElementById('clause-panel');
    if (!p) return;
    var r = p.getBoundingClientRect();
    if (r.top > window.innerHeight || r.bottom < 0) p.scrollIntoView({behavior: 'smooth', block: 'start'});
  }, 250);
  var inputs = box.querySelectorAll('input[type=radio]');
  for (var i = 0; i < inputs.length; i++) {
    if (inputs[i].value === ref) { inputs[i].click(); return; }
  }
  var labels = box.querySelectorAll('label');
  for (var j = 0; j < labels.length; j++) {
    if (labels[j].textContent.trim() === a.textContent.trim()) { labels[j].click(); return; }
  }
}, true);
</script>
"""


def theme() -> gr.themes.Base:
    # System fonts only: nothing is fetched from Google Fonts (unreachable
    # from many networks in China, and this machine is offline).
    return gr.themes.Soft(
        primary_hue="blue",
        font=["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC",
              "WenQuanYi Micro Hei", "system-ui", "sans-serif"],
        font_mono=["Noto Sans Mono CJK SC", "Menlo", "Consolas", "monospace"],
    )


def launch_kwargs(max_request_bytes: int, read_timeout: float = 30.0) -> dict:
    from starlette.middleware import Middleware

    from .bodylimit import BodyLimit
    from .headers import Hardened
    from .uploads import RefuseUploads

    # Outermost first: every reply hardened; file routes refused before the
    # body is even counted; then the body's size and pace.
    middleware = [Middleware(Hardened), Middleware(RefuseUploads),
                  Middleware(BodyLimit, max_bytes=max_request_bytes, read_timeout=read_timeout)]
    return {"theme": theme(), "css": CSS, "head": HEAD, "app_kwargs": {"middleware": middleware}}


def private(name: str) -> dict:
    """A page event that is not part of the public API; its own name, so it
    never takes one of the API's (/ask, /search, …)."""
    return {"api_visibility": "private", "api_name": f"ui_{name}"}


def _chat_tab(chat_h: ChatHandlers, title: str, examples: list[str], concurrency: int) -> None:
    turns = gr.State([])
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=340):
            chat = gr.Chatbot(
                label="对话", show_label=False, elem_id="chat", height=520, layout="bubble",
                feedback_options=("Like", "Dislike"), sanitize_html=True, allow_tags=False,
                buttons=["copy"], render_markdown=True,
                placeholder=f"您好！我可以解答《{title}》的相关问题，"
                            "回答会标注依据的条款，点击条款编号即可查看原文。",
            )
            with gr.Row():
                msg = gr.Textbox(placeholder="请输入您的问题，按回车发送", show_label=False, scale=5,
                                 elem_id="question", max_lines=4, autofocus=True)
                send = gr.Button("发送", variant="primary", scale=1, min_width=80, elem_id="send")
            with gr.Row():
                gr.Markdown("示例问题：", elem_classes=["muted"])
                ex_buttons = [gr.Button(q, size="sm", variant="secondary", min_width=60, elem_classes=["example"])
                              for q in examples]
            with gr.Row():
                clear = gr.Button("清空对话", size="sm", variant="stop", elem_id="clear", min_width=80)
                gr.Markdown("对回答点 👍/👎 可帮助我们改进；本助手仅依据方案原文作答，具体办理请以责任单位答复为准。",
                            elem_classes=["muted"])
        with gr.Column(scale=2, min_width=300):
            chips = gr.Radio(choices=[], label="本次对话引用的条款（点击查看原文）", elem_id="cite-chips",
                             interactive=True)
            panel = gr.HTML(clause_html(None), elem_id="clause-panel")

    ask_io = dict(inputs=[msg, turns, chips], outputs=[msg, chat, turns, chips],
                  concurrency_limit=concurrency, concurrency_id="answer", **private("chat"))
    msg.submit(chat_h.respond, **ask_io)
    send.click(chat_h.respond, **ask_io)
    for b in ex_buttons:
        b.click(lambda q=b.value: q, None, msg, queue=False, **private("example")).then(chat_h.respond, **ask_io)
    chips.change(chat_h.show_clause, chips, panel, queue=False, **private("clause"))
    chat.like(chat_h.like, turns, None, queue=False, **private("like"))
    clear.click(chat_h.clear, None, [msg, chat, turns, chips, panel], queue=False, **private("clear"))
    chat.clear(chat_h.clear, None, [msg, chat, turns, chips, panel], queue=False, **private("clear"))


def _desk_tab(desk: DeskHandlers, concurrency: int) -> None:
    lib = desk.library
    refs = gr.State({})
    with gr.Row():
        query = gr.Textbox(label="关键词或问题", placeholder="例如：简易注销、用电报装、第22条；留空则按筛选条件列出",
                           scale=4, elem_id="desk-query")
        go = gr.Button("查询", variant="primary", scale=1, min_width=80, elem_id="desk-go")
        reset = gr.Button("重置", scale=1, min_width=80)
    with gr.Row():
        units = gr.Dropdown(lib.known_units, multiselect=True, label="责任单位", scale=3, elem_id="desk-units",
                            info="可多选")
        months = desk.month_choices()
        after = gr.Dropdown(months, value="不限", label="完成时限起", scale=1, elem_id="desk-after")
        before = gr.Dropdown(months, value="不限", label="完成时限止", scale=1, elem_id="desk-before")
        section = gr.Dropdown(desk.section_choices(), value="all", label="所属部分", scale=2, elem_id="desk-section")
        doc = gr.Dropdown(desk.doc_choices(), value="all", label="文档", scale=2, elem_id="desk-doc",
                          visible=len(lib.corpora) > 1)
    status = gr.Markdown("请输入关键词，或选择责任单位、完成时限、所属部分等筛选条件。", elem_id="desk-status")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=340):
            table = gr.Dataframe(headers=DESK_COLUMNS, interactive=False, wrap=True, max_height=560,
                                 elem_id="desk-table", column_widths=["11%", "17%", "32%", "20%", "11%", "9%"])
        with gr.Column(scale=2, min_width=300):
            clause = gr.HTML(clause_html(None, "请点击表格中的一行。"), elem_id="desk-clause")
            reply = gr.Textbox(label="标准答复（可直接朗读或复制）", lines=6, interactive=False,
                               buttons=["copy"], elem_id="desk-reply")
    inputs = [query, units, after, before, section, doc]
    io = dict(inputs=inputs, outputs=[table, status, refs], concurrency_limit=concurrency,
              concurrency_id="search", **private("desk"))
    go.click(desk.search, **io)
    query.submit(desk.search, **io)
    for f in (units, after, before, section, doc):
        f.input(desk.search, **io)
    table.select(desk.select, refs, [clause, reply], queue=False, **private("row"))
    reset.click(desk.reset, None, inputs + [table, status, refs, clause, reply], queue=False, **private("reset"))


def _browse_tab(library) -> None:
    gr.Markdown("按“部分 → 措施 → 子项”浏览方案全文，点击标题展开；⚠️ 标出解析时发现的原文问题。")
    gr.HTML(outline_html(library), elem_id="outline")


def _overview_tab(library) -> None:
    gr.Markdown(overview.overview_markdown(library), elem_id="overview-summary")
    units = overview.units_frame(library)
    with gr.Row():
        gr.BarPlot(units.head(20), x="责任单位", y="措施数", title="各责任单位承担的措施数（前20）",
                   sort="-y", x_label_angle=-45, height=460, elem_id="plot-units", y_lim=[0, None])
    deadlines = overview.deadlines_frame(library)
    with gr.Row():
        gr.BarPlot(deadlines, x="月份", y="到期措施数", title="完成时限分布（按月）",
                   x_label_angle=-60, height=380, elem_id="plot-deadlines", sort="x")
        gr.LinePlot(deadlines, x="月份", y="累计到期", title="累计到期措施数", x_label_angle=-60,
                    height=380, elem_id="plot-cumulative", sort="x")
    with gr.Accordion("全部责任单位明细", open=False):
        gr.Dataframe(units, interactive=False, max_height=400)


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
        with gr.Tabs():
            with gr.Tab("智能问答", id="chat"):
                _chat_tab(chat_h, title, library.examples[:6], concurrency)
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
    demo.queue(default_concurrency_limit=concurrency, max_size=services.settings.queue_max_size)
    return demo


def launch(services: Services, demo: gr.Blocks | None = None, host: str | None = None,
           port: int | None = None, quiet: bool = True) -> tuple[gr.Blocks, str]:
    """Start the app without blocking; returns (demo, local URL).
    Call ``demo.block_thread()`` to serve until interrupted, ``demo.close()`` to stop."""
    s = services.settings
    demo = demo or build_app(services)
    demo.launch(server_name=host or s.host, server_port=port if port is not None else s.port,
                prevent_thread_lock=True, quiet=quiet, show_error=False, ssr_mode=False,
                share=False, **launch_kwargs(s.max_request_bytes, s.request_read_timeout))
    return demo, demo.local_url
