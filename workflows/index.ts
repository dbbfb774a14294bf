// Every workflow type the worker registers.
export { scaffoldJourney } from './scaffold.ts';
export { advocacyJourney } from './journey/interpreter.ts';
export { customerProfile } from './customer/profile.ts';
