# A protocol module for test_app_proto: App(protocol_factory="lazyproto") imports it on first use.
class Proto:
    def __init__(self, app):
        self.app = app
        self.fed = b""
        self.services = 0
        self.events = []

    def feed(self, data):
        self.fed += bytes(data)

    def service(self, now):
        self.services += 1

    def on_event(self, ev, seat, phase, t_ms, arg):
        self.events.append(ev)
