"""The conversation engine: pure state machines and the guide content they use."""
