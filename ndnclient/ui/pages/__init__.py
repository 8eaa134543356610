"""The main window's pages. Each takes the shared `Services` and keeps the GUI thread free:
card work goes to the card thread, file and network work to the background pool."""
