"""graphc.backends: executors for pruned plans. Each imports graphc.ir only."""
