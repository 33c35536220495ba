use supervisor::prelude::*;

#[supervised]
async fn reader(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct Ingest {
    reader: reader,
}

#[supervised(role = "sidecar", primary = "ingest")]
async fn lag_probe(ctx: ChildContext) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
struct App {
    #[child(id = "ingest-eu")]
    ingest: Ingest,
    probe: lag_probe,
}

fn main() {}
