//! Batched inserts: rows are buffered and written many per statement, sized
//! to stay under both databases' bind-parameter limits.

use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Iterable};

/// Bind parameters per statement; below SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMETERS: usize = 30_000;

/// Rows of one table waiting to be inserted.
pub struct Buffer<A: ActiveModelTrait> {
    rows: Vec<A>,
    chunk: usize,
    inserted: usize,
}

impl<A> Buffer<A>
where
    A: ActiveModelTrait + Send,
{
    /// An empty buffer for `A`'s table.
    pub fn new() -> Self {
        let columns = <A::Entity as EntityTrait>::Column::iter().count().max(1);
        Buffer {
            rows: Vec::new(),
            chunk: (MAX_PARAMETERS / columns).max(1),
            inserted: 0,
        }
    }

    /// Adds a row, writing a full batch when one is ready.
    pub async fn push(&mut self, db: &impl ConnectionTrait, row: A) -> Result<(), DbErr> {
        self.rows.push(row);
        if self.rows.len() >= self.chunk {
            self.flush(db).await?;
        }
        Ok(())
    }

    /// Writes what is buffered and returns the number of rows written in all.
    pub async fn finish(mut self, db: &impl ConnectionTrait) -> Result<usize, DbErr> {
        self.flush(db).await?;
        Ok(self.inserted)
    }

    async fn flush(&mut self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.rows);
        self.inserted += rows.len();
        A::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
        Ok(())
    }
}
