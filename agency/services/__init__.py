"""Use cases: `verb_noun(session, *, ...)`; they flush, never commit."""
