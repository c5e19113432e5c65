// An ask-sdk (Node.js) skill on Express that runs behind `skillgate serve` in gateway mode.
//
// skillgate verifies every request (signature, certificate chain, timestamp, application id)
// before forwarding it here, so the SDK's own checks are turned off: the second and third
// arguments of ExpressAdapter are verifySignature and verifyTimestamp. Listen on 127.0.0.1 only.
//
//     npm ci
//     SKILL_ID=amzn1.ask.skill.… PORT=3000 node skill.js
'use strict';

const Alexa = require('ask-sdk-core');
const { ExpressAdapter } = require('ask-sdk-express-adapter');
const express = require('express');

const SKILL_ID = process.env.SKILL_ID || 'amzn1.ask.skill.aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const PORT = Number(process.env.PORT || 3000);

const log = (message) => console.log(`gateway-node: ${message}`);

const LogRequest = {
  process(handlerInput) {
    const { request } = handlerInput.requestEnvelope;
    log(`${request.type} ${request.requestId}`);
  },
};

const Launch = {
  canHandle: (input) => Alexa.getRequestType(input.requestEnvelope) === 'LaunchRequest',
  handle(input) {
    const speech = 'Welcome to the color picker. Tell me your favorite color.';
    return input.responseBuilder.speak(speech).reprompt(speech).getResponse();
  },
};

const isIntent = (input, name) =>
  Alexa.getRequestType(input.requestEnvelope) === 'IntentRequest' &&
  Alexa.getIntentName(input.requestEnvelope) === name;

const MyColorIs = {
  canHandle: (input) => isIntent(input, 'MyColorIsIntent'),
  handle(input) {
    const color = Alexa.getSlotValue(input.requestEnvelope, 'color');
    const attributes = input.attributesManager.getSessionAttributes();
    attributes.favoriteColor = color;
    input.attributesManager.setSessionAttributes(attributes);
    const speech = `I now know your favorite color is ${color}. Ask me what it is.`;
    return input.responseBuilder.speak(speech).reprompt('What is my favorite color?').getResponse();
  },
};

const WhatsMyColor = {
  canHandle: (input) => isIntent(input, 'WhatsMyColorIntent'),
  handle(input) {
    const color = input.attributesManager.getSessionAttributes().favoriteColor;
    if (color === undefined) {
      const speech = "I don't know your favorite color yet. Tell me, for example: my color is red.";
      return input.responseBuilder.speak(speech).reprompt(speech).getResponse();
    }
    const speech = `Your favorite color is ${color}. Goodbye.`;
    return input.responseBuilder.speak(speech).withShouldEndSession(true).getResponse();
  },
};

const SessionEnded = {
  canHandle: (input) => Alexa.getRequestType(input.requestEnvelope) === 'SessionEndedRequest',
  handle(input) {
    log(`session ended: ${input.requestEnvelope.request.reason}`);
    return input.responseBuilder.getResponse();
  },
};

const Sorry = {
  canHandle: () => true,
  handle(input, error) {
    log(`handler failed: ${error.message}`);
    const speech = "Sorry, I didn't get that. Tell me your favorite color.";
    return input.responseBuilder.speak(speech).reprompt(speech).getResponse();
  },
};

const skill = Alexa.SkillBuilders.custom()
  .withSkillId(SKILL_ID) // the SDK still refuses a request for another skill
  .addRequestHandlers(Launch, MyColorIs, WhatsMyColor, SessionEnded)
  .addRequestInterceptors(LogRequest)
  .addErrorHandlers(Sorry)
  .create();

// skillgate has verified the signature and the timestamp: turn the SDK's own checks off.
const adapter = new ExpressAdapter(skill, false, false);
const app = express();
app.post('/alexa', adapter.getRequestHandlers());
app.listen(PORT, '127.0.0.1', () => log(`listening on http://127.0.0.1:${PORT}/alexa`));
