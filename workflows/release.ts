// The release of the workflow code (the interpreter and customer:<id>), kept here as a constant rather than read
// from package.json, which workflow code may not read. Every run sets it as its JourneyRelease search attribute when
// it starts, and again after each continue-as-new, so operators can list the runs whose current history was started
// by an older release (docs/versioning.md). test/release.test.ts keeps it equal to package.json's version.
export const RELEASE = '1.1.0';
