"""LangChain's face of the retriever: one Document per retrieved leaf.
``PolicyRetriever(retriever=…, k=5).invoke("失业金能网上申请吗", k=1)``."""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever


class PolicyRetriever(BaseRetriever):
    retriever: Any  # search.retriever.Retriever
    k: int = 5
    mode: str = "hybrid"
    filters: Any = None  # search.filters.Filters

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None, **kwargs: Any) -> list[Document]:
        # ``k`` at call time overrides the constructor's (LangChain's retriever contract).
        n = self.k if k is None else int(k)
        hits = self.retriever.search(query, k=n, filters=self.filters, mode=self.mode)[:n]
        return [Document(page_content=h.record.text, metadata=h.to_dict()) for h in hits]
