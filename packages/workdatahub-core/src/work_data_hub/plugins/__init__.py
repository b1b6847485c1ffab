"""How domains plug in: hook specifications, the plugin manager, the domain registry."""
