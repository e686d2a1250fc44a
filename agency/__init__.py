"""Records, rules and use cases of the social real-estate agency."""
