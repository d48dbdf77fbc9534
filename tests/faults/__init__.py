"""The fault suite (issue 16): crashes at random points, send faults at a random rate, and
downtime across reminders and deadlines, all seeded; figures in docs/reliability.md."""
