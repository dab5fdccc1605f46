"""The recommender: collaborative, content and popularity parts, and the protocol that evaluates them."""
