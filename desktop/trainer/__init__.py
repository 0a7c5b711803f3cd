"""The trainer's screens: "My sessions" and the register, usable offline."""
