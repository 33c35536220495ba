use supervisor::prelude::*;

struct AppState {
    db: Db,
}

#[derive(Clone)]
struct Db;

impl FromState<AppState> for Db {
    fn from_state(state: &AppState) -> Self {
        state.db.clone()
    }
}

#[supervised]
async fn api(ctx: ChildContext, State(_db): State<Db>) {
    ctx.cancelled().await
}

#[derive(Supervisor)]
#[supervisor(state = AppState)]
struct App {
    api: api,
}

fn main() {
    let _ = App::spec_with(AppState { db: Db });
}
