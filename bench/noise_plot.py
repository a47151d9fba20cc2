"""The classic OS noise plot: each FWQ quantum's duration against the time it
started, one panel per kind of CPU, on one scale so that the panels compare."""
import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402


def draw(panels, path, title):
    """panels: [(label, [(start s, duration us), ...]), ...]"""
    top = max(duration for _, points in panels for _, duration in points)
    bottom = min(duration for _, points in panels for _, duration in points)
    figure, axes = plt.subplots(len(panels), 1, figsize=(10, 2.2 * len(panels) + 0.8), sharex=True, squeeze=False)
    for axis, (label, points) in zip(axes[:, 0], panels):
        axis.plot([t for t, _ in points], [d for _, d in points], linestyle="none", marker=".", markersize=2)
        axis.set_ylim(bottom * 0.98, top * 1.02)
        axis.set_ylabel("quantum (us)")
        axis.set_title(label, fontsize=10, loc="left")
        axis.grid(True, alpha=0.3)
    axes[-1, 0].set_xlabel("time since the probe started (s)")
    figure.suptitle(title, fontsize=11)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
