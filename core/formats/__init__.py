"""Date formats that differ from Django's for a language (FORMAT_MODULE_PATH): UN style dates,
"20 November 2026" and "20 November 2026, 14:24". Chinese keeps Django's own, which is already
UN style ("2026年11月20日", "2026年11月20日 14:24"). Inputs are unchanged (Django's defaults)."""
