"""The FastAPI app: routes parse input, call one use case, and render."""
