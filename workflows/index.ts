// Every workflow type the worker registers.
export { scaffoldJourney } from './scaffold.ts';
