// Every workflow type the worker registers.
export { scaffoldJourney } from './scaffold.ts';
export { customerProfile } from './customer/profile.ts';
