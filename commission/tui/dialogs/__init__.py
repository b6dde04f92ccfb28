"""Modal dialogs (``ModalScreen[T]``) that ask the technician to confirm or choose."""
