"""The demo end to end on a simulated device: agenda push, a scripted session, pull, report."""
