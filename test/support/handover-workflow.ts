// A workflow that hands over (continue-as-new) after every `every` signals and answers how many it has taken across
// its chain (test/test-server-signal-with-start.test.ts).
import { condition, continueAsNew, defineQuery, defineSignal, setHandler } from '@temporalio/workflow';

export const pokeSignal = defineSignal<[number]>('poke');
export const takenQuery = defineQuery<number>('taken');

export async function handoverEvery(every: number, takenBefore = 0): Promise<void> {
  let taken = 0;
  setHandler(pokeSignal, () => void taken++);
  setHandler(takenQuery, () => takenBefore + taken);
  await condition(() => taken >= every);
  await continueAsNew<typeof handoverEvery>(every, takenBefore + taken);
}
