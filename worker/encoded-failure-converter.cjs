// The failure converter of every Temporal client and worker of this engine (dataConverter.failureConverterPath):
// the SDK's default with encodeCommonAttributes, so a failure's message and stack trace travel as a payload, which
// the payload codec (worker/payload-codec.ts) encrypts with the rest. Provider errors quote addresses ("Invalid 'To'
// address: ada@…"), and a failure's message is stored in the history like any input. A CommonJS file because the
// SDK loads it with require() in the worker and bundles it into the workflow sandbox, where it must stay pure.
const { DefaultFailureConverter } = require('@temporalio/common');

exports.failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
