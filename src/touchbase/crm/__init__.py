"""The CRM half: contacts (and, next, touchpoints and meeting notes). Changes events only
through `touchbase.calendar`'s use cases."""
