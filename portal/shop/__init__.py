"""The shop itself, shared by every domain: its clock and time zone, its calendar of business days and
cut-off, how an order travels (DeliveryMethod), how lists are paged, and how money, days and counts
are written. The bottom layer: it imports nothing else of the portal."""
