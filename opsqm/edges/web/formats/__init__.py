"""The bureau's date and time formats, the same in both languages: 2026-10-25 00:00,
never Django's 2026年10月25日 or "Oct. 25, 2026, midnight" (FORMAT_MODULE_PATH)."""
