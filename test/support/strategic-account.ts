// A strategic account's renewal: it opens the shipped strategic-reference-advisory journey, whose owner task goes to
// `ownerEmail` at once (the owner works every day, all day, so no working hours hold it). Used by the owner-task page
// tests and bench/pages.ts's `/o` rows.
export function strategicRenewal(customerId: string, ownerEmail: string) {
  return {
    type: 'contract.renewed',
    data: { termMonths: 24 },
    traits: {
      email: `${customerId}@customer.example`,
      firstName: 'Casey',
      company: 'Customer Inc',
      segment: 'enterprise',
      arr: 250000,
      healthScore: 90,
      ownerEmail,
      ownerTimezone: 'Europe/Berlin',
      ownerWorkingHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], start: '00:00', end: '23:59' },
    },
  };
}
