"""The officer console and the citizen portal: server-rendered pages over the areas' services."""
