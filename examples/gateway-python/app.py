"""An ask-sdk-python skill (Flask) that runs behind `skillgate serve` in gateway mode.

skillgate verifies every request (signature, certificate chain, timestamp, application id)
before forwarding it here, so the SDK's own checks are turned off, the right way: with the
Flask config keys that flask-ask-sdk reads. Listen on 127.0.0.1 only.

    pip install -r requirements.txt
    SKILL_ID=amzn1.ask.skill.… PORT=5000 python app.py

`app.run` is Flask's development server; in production serve `app` with a WSGI server bound
to 127.0.0.1, e.g. `gunicorn -b 127.0.0.1:5000 app:app`.
"""

import logging
import os

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.skill_builder import SkillBuilder
from ask_sdk_core.utils import get_slot_value, is_intent_name, is_request_type
from flask import Flask
from flask_ask_sdk.skill_adapter import SkillAdapter

SKILL_ID = os.environ.get("SKILL_ID", "amzn1.ask.skill.aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")
PORT = int(os.environ.get("PORT", "5000"))

logging.basicConfig(level=logging.INFO, format="gateway-python: %(message)s")
log = logging.getLogger("gateway-python")

sb = SkillBuilder()
sb.skill_id = SKILL_ID  # the SDK still refuses a request for another skill


class LogRequest(AbstractRequestInterceptor):
    def process(self, handler_input):
        request = handler_input.request_envelope.request
        log.info("%s %s", request.object_type, request.request_id)


@sb.request_handler(can_handle_func=is_request_type("LaunchRequest"))
def launch(handler_input):
    speech = "Welcome to the color picker. Tell me your favorite color."
    return handler_input.response_builder.speak(speech).ask(speech).response


@sb.request_handler(can_handle_func=is_intent_name("MyColorIsIntent"))
def my_color_is(handler_input):
    color = get_slot_value(handler_input, "color")
    handler_input.attributes_manager.session_attributes["favoriteColor"] = color
    speech = f"I now know your favorite color is {color}. Ask me what it is."
    return handler_input.response_builder.speak(speech).ask("What is my favorite color?").response


@sb.request_handler(can_handle_func=is_intent_name("WhatsMyColorIntent"))
def whats_my_color(handler_input):
    color = handler_input.attributes_manager.session_attributes.get("favoriteColor")
    if color is None:
        speech = "I don't know your favorite color yet. Tell me, for example: my color is red."
        return handler_input.response_builder.speak(speech).ask(speech).response
    speech = f"Your favorite color is {color}. Goodbye."
    return handler_input.response_builder.speak(speech).set_should_end_session(True).response


@sb.request_handler(can_handle_func=is_request_type("SessionEndedRequest"))
def session_ended(handler_input):
    log.info("session ended: %s", handler_input.request_envelope.request.reason.value)
    return handler_input.response_builder.response


@sb.exception_handler(can_handle_func=lambda handler_input, exception: True)
def sorry(handler_input, exception):
    log.error("handler failed: %s", exception)
    speech = "Sorry, I didn't get that. Tell me your favorite color."
    return handler_input.response_builder.speak(speech).ask(speech).response


sb.add_global_request_interceptor(LogRequest())

app = Flask(__name__)
# skillgate has verified the signature and the timestamp: turn the SDK's own checks off.
# These must be set before SkillAdapter reads them (SkillAdapter takes no verify_* arguments).
app.config["ASK_SDK_VERIFY_SIGNATURE"] = False
app.config["ASK_SDK_VERIFY_TIMESTAMP"] = False
SkillAdapter(skill=sb.create(), skill_id=SKILL_ID, app=app).register(app=app, route="/alexa")

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=PORT)
