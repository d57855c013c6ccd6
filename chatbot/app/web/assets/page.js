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

// Gradio's own buttons keep English labels that its Chinese locale lacks
// ("Copy message", "Fullscreen"…), and a message's screen-reader label is its
// raw Markdown ("第5\.3条", "[第5.3条](#cite-5.3)", "**…**"). Both are
// rewritten as they appear.
(function () {
  var ZH = {
    'Copy message': '复制回答', 'Copy table data': '复制表格', 'Copy': '复制', 'Copied': '已复制',
    'Copied message': '已复制', 'Fullscreen': '全屏', 'Exit fullscreen mode': '退出全屏',
    'Exit fullscreen': '退出全屏', 'Table actions': '表格操作', 'Dataframe': '表格',
    'Open cell menu': '单元格菜单', 'More tabs': '更多标签页', 'chatbot conversation': '对话记录',
    'Gradio footer navigation': '页脚导航', 'File upload': '文件上传', 'Like': '赞', 'Dislike': '踩',
    'Liked': '已赞', 'Disliked': '已踩', 'Clear': '清空', 'Scroll down': '滚动到最新',
    'Scroll to bottom': '滚动到最新', 'Search': '搜索', 'Download': '下载', 'Share': '分享',
    'Retry': '重试', 'Undo': '撤销', 'Edit': '编辑', 'Close': '关闭', 'Loading': '加载中',
    'Error': '错误', 'Sort ascending': '升序', 'Sort descending': '降序', 'Clear sort': '取消排序',
    'Remove': '移除', 'Select all': '全选', 'Stop Recording': '停止录音', 'Dropdown': '下拉选择',
    'Filter': '筛选', 'Clear filter': '清除筛选', 'Clear all': '全部清除', 'Clear selection': '清除选择'
  };
  function plain(md) {
    return md.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/\*\*|__|`/g, '')
             .replace(/\\([\\`*_{}\[\]()#+\-.!|>~<])/g, '$1').replace(/\n{2,}/g, '\n').trim();
  }
  window.yiwuPlain = plain;
  function fix(el) {
    if (!el || el.nodeType !== 1) return;
    ['aria-label', 'title', 'placeholder'].forEach(function (name) {
      var v = el.getAttribute(name);
      if (!v) return;
      var w = ZH[v];
      if (!w) {
        var m = /^(user|bot)'s message: ([\s\S]*)$/.exec(v);
        if (m) w = (m[1] === 'user' ? '问题：' : '回答：') + plain(m[2]).slice(0, 500);
      }
      if (w && w !== v) el.setAttribute(name, w);
    });
  }
  function sweep(node) {
    if (!node || node.nodeType !== 1) return;
    fix(node);
    var all = node.querySelectorAll('[aria-label],[title],[placeholder]');
    for (var i = 0; i < all.length; i++) fix(all[i]);
  }
  new MutationObserver(function (muts) {
    for (var i = 0; i < muts.length; i++) {
      var m = muts[i];
      if (m.type === 'attributes') fix(m.target);
      else for (var j = 0; j < m.addedNodes.length; j++) sweep(m.addedNodes[j]);
    }
  }).observe(document.documentElement, {subtree: true, childList: true, attributes: true,
                                         attributeFilter: ['aria-label', 'title', 'placeholder']});
})();

// A new answer scrolls the chat so that its question and the answer's start
// are in view, even when the reader had scrolled up to an earlier answer
// (Gradio's own autoscroll is off: it shows a long answer's tail first).
(function () {
  var seen = -1;
  function scroller(el) {
    for (var e = el && el.parentElement; e; e = e.parentElement) {
      var s = getComputedStyle(e);
      if ((s.overflowY === 'auto' || s.overflowY === 'scroll') && e.scrollHeight > e.clientHeight) return e;
      if (e.id === 'chat') break;
    }
    return null;
  }
  function check() {
    var chat = document.getElementById('chat');
    if (!chat) return;
    var users = chat.querySelectorAll('[data-testid="user"]');
    var n = users.length;
    if (n > seen && n > 0) {
      var row = users[n - 1].closest('.message-row') || users[n - 1];
      var box = scroller(row);
      if (box) box.scrollTop += row.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    }
    seen = n;
  }
  new MutationObserver(function () { window.requestAnimationFrame(check); })
    .observe(document.documentElement, {subtree: true, childList: true});
})();

// Copying an answer gives plain text with its citations written out
// (第5.3条), not Markdown links, for WeChat or SMS.
(function () {
  function text(content) {
    var c = content.cloneNode(true);
    c.querySelectorAll('li').forEach(function (li) { li.insertBefore(document.createTextNode('• '), li.firstChild); });
    var box = document.createElement('div');
    box.style.cssText = 'position:fixed;left:-9999px;top:0;white-space:normal';
    box.appendChild(c);
    document.body.appendChild(box);
    var t = box.innerText.replace(/\n{3,}/g, '\n\n').replace(/ ▌$/, '').trim();
    box.remove();
    return t;
  }
  function write(t) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(t);
    var ta = document.createElement('textarea');
    ta.value = t; ta.style.cssText = 'position:fixed;left:-9999px';
    document.body.appendChild(ta); ta.select();
    try { document.execCommand('copy'); } finally { ta.remove(); }
    return Promise.resolve();
  }
  document.addEventListener('click', function (ev) {
    var b = ev.target && ev.target.closest ? ev.target.closest('#chat button') : null;
    if (!b) return;
    var label = b.getAttribute('aria-label') || '';
    if (label !== 'Copy message' && label !== '复制回答') return;
    var buttons = b.closest('.message-buttons');
    var row = buttons && buttons.previousElementSibling;
    while (row && !(row.classList && row.classList.contains('message-row'))) row = row.previousElementSibling;
    var content = row && row.querySelector('.message-content');
    if (!content) return;
    ev.preventDefault(); ev.stopPropagation();
    var t = text(content);
    window.yiwuLastCopy = t;
    write(t).then(function () {
      b.setAttribute('aria-label', '已复制'); b.setAttribute('title', '已复制');
      setTimeout(function () { b.setAttribute('aria-label', '复制回答'); b.setAttribute('title', '复制回答'); }, 1500);
    });
  }, true);
})();

// One question per click: a double click on 发送 must not send the same
// question twice (the second click arrives before the box is cleared).
(function () {
  var lastText = null, lastAt = 0;
  document.addEventListener('click', function (ev) {
    if (!(ev.target && ev.target.closest && ev.target.closest('#send'))) return;
    var box = document.querySelector('#question textarea');
    var text = box ? box.value.trim() : '';
    var now = Date.now();
    if (text && text === lastText && now - lastAt < 2000) {
      ev.preventDefault(); ev.stopImmediatePropagation(); return;
    }
    lastText = text; lastAt = now;
  }, true);
})();
