"""Hardware arithmetic from the firmware's pin and power settings (the power budget)."""
