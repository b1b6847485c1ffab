"""pytest plugin (``pytest11`` entry point): fixtures a domain package uses to test itself."""
