"""Nothing to wire here: the sipconform plugin loads through its pytest11 entry point
(listing it in pytest_plugins as well would register it twice; STYLE.md §10, pitfall 3)."""
