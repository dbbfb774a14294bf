// Every workflow type the worker registers.
export { advocacyJourney } from './journey/interpreter.ts';
export { customerProfile } from './customer/profile.ts';
