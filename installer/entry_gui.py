"""The frozen `ndnclient-gui` program (windowed, no console on Windows): the window."""

from ndnclient.ui.app import main

if __name__ == "__main__":
    main()
