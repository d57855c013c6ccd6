"""Search: a question analysed once (``query``), then retrieved once
(``retriever``): exact references, dense rows (``vectors``) and BM25
(``lexical``) fused with the weights of ``domain.tuning`` (``fusion``)."""
