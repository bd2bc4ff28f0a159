"""simsys diagram: the model's stock-and-flow diagram, layers coloured (Graphviz)."""
from __future__ import annotations

import click


@click.command("diagram")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False),
              help="Output file: .svg, .png, .pdf, or .dot for the Graphviz source only.")
@click.option("--layer", "layers", multiple=True, help="Only these layers (repeatable), e.g. 'Space layer'.")
def command(model, out, layers):
    """Draw MODEL as a stock-and-flow diagram: stocks as boxes, flows through valves,
    auxiliaries as ellipses, each layer (Vensim group) in its own colour.

    \b
    Examples:
      simsys diagram tests/analysis/models/population.mdl --out population.svg
      simsys diagram models/talent_ecosystem.mdl --layer "Space layer" --out space.svg
      simsys diagram models/talent_ecosystem.mdl --out talent.dot     (no Graphviz needed)
    """
    from ..analysis.structure import stock_flow_structure
    from ..model.load import load_model
    from ..plot import stock_flow_diagram
    m = load_model(model)
    path = stock_flow_diagram(stock_flow_structure(m), out, layers=list(layers) or None,
                              title=m.path.stem)
    click.echo(f"diagram: {path}")
