"""Text handling shared by the corpus and the search: normalisation and
question preparation, the lexicon (jieba, stopwords, glossary, departments),
typo repair and sentence splitting."""
