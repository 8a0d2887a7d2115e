import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { InstantColumn } from "../db/columns.js";

/** Member counts of one list by ListManager member status, as taken at one sync. */
@Entity({ name: "list_member_count" })
export class ListMemberCount {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: "int" })
  listId!: number;

  @InstantColumn()
  takenAt!: Date;

  @Column({ type: "int", default: 0 })
  normal!: number;

  @Column({ type: "int", default: 0 })
  held!: number;

  @Column({ type: "int", default: 0 })
  unsub!: number;

  @Column({ type: "int", default: 0 })
  confirm!: number;

  @Column({ type: "int", default: 0 })
  private!: number;

  @Column({ type: "int", default: 0 })
  expired!: number;

  @Column({ type: "int", default: 0 })
  other!: number;
}
