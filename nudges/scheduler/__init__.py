"""Background jobs on APScheduler, run by one elected leader among `engage serve` processes."""
