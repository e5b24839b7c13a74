// The smallest useful plugin: answers "hello.Greet" on the message bus and proves at start that
// the bus delivers to it.
#include <strato/sdk.h>

namespace {

strato::Status init(strato::Registrar& r) {
  r.handle("hello.Greet", [](strato::Message m, strato::Replier reply) {
    auto who = m.body.value("name", std::string("world"));
    reply(strato::Json{{"greeting", "hello, " + who}});
  });
  // The registrar is gone after init; the bus and logger it hands out stay.
  r.onStart([&bus = r.bus(), &log = r.logger()]() -> strato::Status {
    strato::Reply greeting =
        strato::call(bus, {"hello.Greet", "", {{"name", "strato"}}}, std::chrono::seconds(5));
    if (!greeting) return greeting.error();
    log.info("hello plugin started greeting=\"" +
                    greeting.value()["greeting"].get<std::string>() + "\"");
    return {};
  });
  return {};
}

}  // namespace

STRATO_PLUGIN("hello", "1.0.0", init)
