"""Knowledge kept as data: free-text task patterns."""
