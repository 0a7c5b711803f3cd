"""The booking wizard: session → attendees → review → payment → confirmation."""

from desktop.wizard.wizard import BookingWizard

__all__ = ["BookingWizard"]
