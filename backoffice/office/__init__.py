"""The OCOP office's closed loop: producers and certificates screens, supervision of stamps
and consumers' reports, the audit screen, and the province's periodic reports."""
