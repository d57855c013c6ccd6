"""Pure data and the grammars every layer shares: records, citations,
numerals and dates, and the tuning numbers. Imports nothing else of ours."""
