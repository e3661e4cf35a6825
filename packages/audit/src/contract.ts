/** The behaviour every AuditLog adapter shares (memory, Redis, HTTP): one suite, run against each. To be written. */
export {};
