//! The data model of DESIGN.md: articles with their keywords, sections, quotes and entity mentions;
//! entities with their aliases; API keys.
//!
//! Arrays do not exist on SQLite, so the list-valued fields that are filtered on (`keywords`,
//! `aliases`) live in join tables with an index, and `authors`, which is only ever read whole, is JSON.
//! Every filter the list routes offer has an index here.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Articles::Table)
                    .col(uuid(Articles::Id).primary_key())
                    .col(string_len_uniq(Articles::Slug, 200))
                    .col(text(Articles::Headline))
                    .col(text_null(Articles::Standfirst))
                    .col(text(Articles::Body))
                    .col(json(Articles::Authors))
                    .col(text_null(Articles::Publisher))
                    .col(string_len_null(Articles::SourceUrl, 2048).unique_key())
                    .col(string_len(Articles::Language, 35))
                    .col(text_null(Articles::Category))
                    .col(timestamp_with_time_zone_null(Articles::PublishedAt))
                    .col(integer(Articles::WordCount))
                    .col(big_integer(Articles::Version))
                    .col(timestamp_with_time_zone(Articles::CreatedAt))
                    .col(timestamp_with_time_zone(Articles::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_articles_published_at", Articles::PublishedAt),
            ("idx_articles_created_at", Articles::CreatedAt),
            ("idx_articles_category", Articles::Category),
            ("idx_articles_language", Articles::Language),
            ("idx_articles_publisher", Articles::Publisher),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Articles::Table)
                        .col(column)
                        .col(Articles::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ArticleKeywords::Table)
                    .col(uuid(ArticleKeywords::ArticleId))
                    .col(integer(ArticleKeywords::Position))
                    .col(text(ArticleKeywords::Keyword))
                    .primary_key(
                        Index::create()
                            .col(ArticleKeywords::ArticleId)
                            .col(ArticleKeywords::Position),
                    )
                    .foreign_key(&mut cascade_to_article(
                        ArticleKeywords::Table,
                        ArticleKeywords::ArticleId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_article_keywords_keyword")
                    .table(ArticleKeywords::Table)
                    .col(ArticleKeywords::Keyword)
                    .col(ArticleKeywords::ArticleId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sections::Table)
                    .col(uuid(Sections::Id).primary_key())
                    .col(uuid(Sections::ArticleId))
                    .col(integer(Sections::Position))
                    .col(text_null(Sections::Heading))
                    .col(text(Sections::Body))
                    .col(integer_null(Sections::StartOffset))
                    .col(integer_null(Sections::EndOffset))
                    .foreign_key(&mut cascade_to_article(
                        Sections::Table,
                        Sections::ArticleId,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_sections_article_position")
                    .table(Sections::Table)
                    .col(Sections::ArticleId)
                    .col(Sections::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Entities::Table)
                    .col(uuid(Entities::Id).primary_key())
                    .col(string_len_uniq(Entities::Slug, 200))
                    .col(text(Entities::Name))
                    .col(string_len(Entities::Kind, 16))
                    .col(text_null(Entities::Description))
                    .col(string_len_null(Entities::WikidataId, 32))
                    .col(timestamp_with_time_zone(Entities::CreatedAt))
                    .col(timestamp_with_time_zone(Entities::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_entities_kind", Entities::Kind),
            ("idx_entities_name", Entities::Name),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Entities::Table)
                        .col(column)
                        .col(Entities::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(EntityAliases::Table)
                    .col(uuid(EntityAliases::EntityId))
                    .col(text(EntityAliases::AliasKey))
                    .col(text(EntityAliases::Alias))
                    .primary_key(
                        Index::create()
                            .col(EntityAliases::EntityId)
                            .col(EntityAliases::AliasKey),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(EntityAliases::Table, EntityAliases::EntityId)
                            .to(Entities::Table, Entities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_entity_aliases_alias_key")
                    .table(EntityAliases::Table)
                    .col(EntityAliases::AliasKey)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ArticleEntities::Table)
                    .col(uuid(ArticleEntities::ArticleId))
                    .col(uuid(ArticleEntities::EntityId))
                    .col(integer(ArticleEntities::MentionCount))
                    .col(integer_null(ArticleEntities::FirstOffset))
                    .col(double_null(ArticleEntities::Salience))
                    .primary_key(
                        Index::create()
                            .col(ArticleEntities::ArticleId)
                            .col(ArticleEntities::EntityId),
                    )
                    .foreign_key(&mut cascade_to_article(
                        ArticleEntities::Table,
                        ArticleEntities::ArticleId,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ArticleEntities::Table, ArticleEntities::EntityId)
                            .to(Entities::Table, Entities::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_article_entities_entity")
                    .table(ArticleEntities::Table)
                    .col(ArticleEntities::EntityId)
                    .col(ArticleEntities::ArticleId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Quotes::Table)
                    .col(uuid(Quotes::Id).primary_key())
                    .col(uuid(Quotes::ArticleId))
                    .col(uuid_null(Quotes::SectionId))
                    .col(integer(Quotes::Position))
                    .col(text(Quotes::Text))
                    .col(string_len(Quotes::Kind, 16))
                    .col(uuid_null(Quotes::SpeakerEntityId))
                    .col(text_null(Quotes::SpeakerLabel))
                    .col(text_null(Quotes::Cue))
                    .col(integer_null(Quotes::StartOffset))
                    .col(integer_null(Quotes::EndOffset))
                    .foreign_key(&mut cascade_to_article(Quotes::Table, Quotes::ArticleId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Quotes::Table, Quotes::SectionId)
                            .to(Sections::Table, Sections::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Quotes::Table, Quotes::SpeakerEntityId)
                            .to(Entities::Table, Entities::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_quotes_article_position")
                    .table(Quotes::Table)
                    .col(Quotes::ArticleId)
                    .col(Quotes::Position)
                    .unique()
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_quotes_speaker", Quotes::SpeakerEntityId),
            ("idx_quotes_section", Quotes::SectionId),
            ("idx_quotes_kind", Quotes::Kind),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Quotes::Table)
                        .col(column)
                        .col(Quotes::Id)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .col(uuid(ApiKeys::Id).primary_key())
                    .col(text(ApiKeys::Name))
                    .col(string_len_uniq(ApiKeys::Prefix, 32))
                    .col(string_len(ApiKeys::Hash, 64))
                    .col(string_len(ApiKeys::Scope, 16))
                    .col(timestamp_with_time_zone(ApiKeys::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::LastUsedAt))
                    .col(timestamp_with_time_zone_null(ApiKeys::RevokedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ApiKeys::Table.into_iden(),
            Quotes::Table.into_iden(),
            ArticleEntities::Table.into_iden(),
            EntityAliases::Table.into_iden(),
            Entities::Table.into_iden(),
            Sections::Table.into_iden(),
            ArticleKeywords::Table.into_iden(),
            Articles::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A foreign key from `table.column` to `articles.id` that deletes the row with its article.
fn cascade_to_article(table: impl IntoIden, column: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, column)
        .to(Articles::Table, Articles::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[derive(DeriveIden)]
enum Articles {
    Table,
    Id,
    Slug,
    Headline,
    Standfirst,
    Body,
    Authors,
    Publisher,
    SourceUrl,
    Language,
    Category,
    PublishedAt,
    WordCount,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ArticleKeywords {
    Table,
    ArticleId,
    Position,
    Keyword,
}

#[derive(DeriveIden)]
enum Sections {
    Table,
    Id,
    ArticleId,
    Position,
    Heading,
    Body,
    StartOffset,
    EndOffset,
}

#[derive(DeriveIden)]
enum Entities {
    Table,
    Id,
    Slug,
    Name,
    Kind,
    Description,
    WikidataId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum EntityAliases {
    Table,
    EntityId,
    AliasKey,
    Alias,
}

#[derive(DeriveIden)]
enum ArticleEntities {
    Table,
    ArticleId,
    EntityId,
    MentionCount,
    FirstOffset,
    Salience,
}

#[derive(DeriveIden)]
enum Quotes {
    Table,
    Id,
    ArticleId,
    SectionId,
    Position,
    Text,
    Kind,
    SpeakerEntityId,
    SpeakerLabel,
    Cue,
    StartOffset,
    EndOffset,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    Name,
    Prefix,
    Hash,
    Scope,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}
