"""A click command whose option defaults are the hyperparameters."""

import click


@click.command()
@click.option("--lr", default=0.01, type=click.FloatRange(1e-5, 1.0), help="learning rate")
@click.option("--depth", default=4, type=click.IntRange(1, 12))
@click.option("--act", default="relu", type=click.Choice(["relu", "gelu", "silu"]))
@click.option("--batch-size", "bs", default=32, help="batch size, 8 to 256")
@click.option("--out", default="runs/", help="where results go")
def main(lr: float, depth: int, act: str, bs: int, out: str) -> None:
    click.echo(f"{lr} {depth} {act} {bs} {out}")
