use supervisor::prelude::*;

#[derive(Clone)]
struct AppState;

#[derive(Clone)]
struct IngestState;

#[supervised]
async fn parser(ctx: ChildContext, State(_ingest): State<IngestState>) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
#[supervisor(state = IngestState)]
struct Ingest {
    parser: parser,
}

#[derive(Supervisor)]
#[supervisor(state = AppState)]
struct App {
    ingest: Ingest,
}

fn main() {
    let _ = App::spec_with(AppState);
}
